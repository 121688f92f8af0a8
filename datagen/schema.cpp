#include "datagen/schema.h"

#include "datagen/table_writers.h"

namespace fedgate::datagen {

std::string_view ProviderName(Provider p) {
  switch (p) {
    case Provider::kGp:
      return "gp";
    case Provider::kAcute:
      return "acute";
    case Provider::kCommunity:
      return "community";
    case Provider::kMentalHealth:
      return "mental_health";
    case Provider::kSocialCare:
      return "social_care";
  }
  return "?";
}

const std::vector<TableDef>& AllTables() {
  using T = ColumnType;
  static const std::vector<TableDef> tables = {
      {Provider::kGp, "patients",
       {{"patient_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"practice_code", T::kText, "text"},
        {"date_of_birth", T::kDate, "date"},
        {"sex", T::kText, "char(1)"},
        {"lsoa_code", T::kText, "text"},
        {"registered_on", T::kDate, "date"},
        {"care_home", T::kBool, "boolean"}},
       "patient_id", {"nhs_number", "practice_code"}, &WriteGpPatients},
      {Provider::kGp, "diagnoses",
       {{"diagnosis_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"condition", T::kText, "text"},
        {"snomed_code", T::kText, "text"},
        {"diagnosed_on", T::kDate, "date"}},
       "diagnosis_id", {"nhs_number", "condition"}, &WriteGpDiagnoses},
      {Provider::kGp, "consultations",
       {{"consultation_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"consultation_date", T::kDate, "date"},
        {"staff_role", T::kText, "text"},
        {"mode", T::kText, "text"},
        {"duration_min", T::kInt32, "int"},
        {"cost", T::kDecimal, "numeric(10,2)", 2}},
       "consultation_id", {"nhs_number", "consultation_date"}, &WriteGpConsultations},
      {Provider::kGp, "observations",
       {{"observation_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"observed_on", T::kDate, "date"},
        {"code", T::kText, "text"},
        {"value", T::kDecimal, "numeric(8,2)", 2}},
       "observation_id", {"nhs_number", "code"}, &WriteGpObservations},
      {Provider::kGp, "prescriptions",
       {{"prescription_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"issued_on", T::kDate, "date"},
        {"bnf_chapter", T::kInt32, "int"},
        {"items", T::kInt32, "int"},
        {"cost", T::kDecimal, "numeric(10,2)", 2}},
       "prescription_id", {"nhs_number", "issued_on"}, &WriteGpPrescriptions},
      {Provider::kAcute, "admissions",
       {{"spell_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "text"},
        {"admission_date", T::kDate, "date"},
        {"discharge_date", T::kDate, "date"},
        {"admission_method", T::kText, "text"},
        {"primary_diagnosis", T::kText, "text"},
        {"hrg_code", T::kText, "text"},
        {"cost", T::kDecimal, "numeric(12,2)", 2},
        {"discharge_destination", T::kText, "text"}},
       "spell_id", {"nhs_number", "admission_date"}, &WriteAcuteAdmissions},
      {Provider::kAcute, "outpatients",
       {{"attendance_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "text"},
        {"appointment_date", T::kDate, "date"},
        {"specialty", T::kText, "text"},
        {"first_attendance", T::kBool, "boolean"},
        {"attended", T::kBool, "boolean"},
        {"cost", T::kDecimal, "numeric(10,2)", 2}},
       "attendance_id", {"nhs_number", "appointment_date"}, &WriteAcuteOutpatients},
      {Provider::kAcute, "ae_attendances",
       {{"attendance_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "text"},
        {"arrival_time", T::kTimestamp, "timestamp"},
        {"arrival_mode", T::kText, "text"},
        {"disposal", T::kText, "text"},
        {"cost", T::kDecimal, "numeric(10,2)", 2}},
       "attendance_id", {"nhs_number", "arrival_time"}, &WriteAcuteAeAttendances},
      {Provider::kCommunity, "contacts",
       {{"contact_id", T::kInt64, "integer"},
        {"nhs_number", T::kText, "text"},
        {"contact_date", T::kDate, "text"},
        {"service", T::kText, "text"},
        {"setting", T::kText, "text"},
        {"duration_min", T::kInt32, "integer"},
        {"cost", T::kDecimal, "numeric", 2}},
       "contact_id", {"nhs_number", "contact_date"}, &WriteCommunityContacts},
      {Provider::kMentalHealth, "referrals",
       {{"referral_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"referral_date", T::kDate, "date"},
        {"team", T::kText, "text"},
        {"reason", T::kText, "text"},
        {"discharge_date", T::kDate, "date"}},
       "referral_id", {"nhs_number", "referral_date"}, &WriteMentalHealthReferrals},
      {Provider::kMentalHealth, "contacts",
       {{"contact_id", T::kInt64, "bigint"},
        {"referral_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "char(10)"},
        {"contact_date", T::kDate, "date"},
        {"team", T::kText, "text"},
        {"contact_type", T::kText, "text"},
        {"cost", T::kDecimal, "numeric(10,2)", 2}},
       "contact_id", {"nhs_number", "referral_id", "contact_date"}, &WriteMentalHealthContacts},
      {Provider::kSocialCare, "clients",
       {{"client_id", T::kInt64, "bigint"},
        {"nhs_number", T::kText, "varchar(12)"},
        {"date_of_birth", T::kDate, "date"},
        {"postcode_district", T::kText, "varchar(4)"},
        {"primary_support_reason", T::kText, "text"}},
       "client_id", {"nhs_number"}, &WriteSocialCareClients},
      {Provider::kSocialCare, "services",
       {{"service_id", T::kInt64, "bigint"},
        {"client_id", T::kInt64, "bigint"},
        {"service_type", T::kText, "text"},
        {"start_date", T::kDate, "date"},
        {"end_date", T::kDate, "date"},
        {"weekly_cost", T::kDecimal, "decimal(10,2)", 2}},
       "service_id", {"client_id", "start_date"}, &WriteSocialCareServices},
  };
  return tables;
}

}  // namespace fedgate::datagen
